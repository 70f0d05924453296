"""The outcomes registry: scoring, schedules, responder classification and the cohort report after each procedure.

The scoring modules (`odi`, `eq5d`, `opioids`, `responders`, `schedule`, `intervals`) are pure: they read no
files, clock or database. `registry` stores validated entries through `sijpath.store`; `report` and `rendering`
make the cohort report; `synthetic` makes labelled synthetic data for the demo and benchmarks.
"""
