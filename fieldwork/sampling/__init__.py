"""Sampling: from the provider's eligible population to the cases of the inspection.

- ``plans``: how each sample is drawn (strata, eligibility date, sub-samples), as data.
- ``size``: the sample size for a confidence level and margin of error, and the margin
  a sample actually achieves.
- ``population``: reading a provider's CSV or Excel export, mapping its columns, and
  storing the population once the file is clean.
- ``draw``: the eligibility window, proportional allocation over the strata, the
  seeded draw with its reserve list, and replacement from the reserve.
- ``summary``: the working of a draw as data; ``report`` renders it as a PDF.
"""
