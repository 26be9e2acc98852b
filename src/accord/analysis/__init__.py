"""From coded passages to the questions users ask: pure functions, DataFrames in and out."""
