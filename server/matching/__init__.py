"""Matching (マッチング): offers and wants paired with the concerns they answer, proposed by meaning and
confirmed (or dismissed) by staff. Uses boards and suggest; knows nothing of the web layer."""
