"""Consultation engine: state, question choice, examinations, reasoning chain, voices."""
