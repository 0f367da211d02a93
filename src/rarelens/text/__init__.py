"""Clinical text to HPO terms (English and Chinese), with negation and context flags."""
