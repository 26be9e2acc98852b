"""Accord's coding measured against human coding; samples for people to code."""
