"""The seed document's examples, run through both doors."""
