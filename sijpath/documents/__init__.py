"""Documents made from assessments: reports, comparisons, documentation gaps and medical-necessity letters."""
