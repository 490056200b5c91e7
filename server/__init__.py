"""yoriai: live sticky-note boards for Machida's district roundtables and The YORIAI."""
