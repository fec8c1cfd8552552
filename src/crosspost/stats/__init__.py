"""`crosspost stats`: each channel's follower count and its recent posts' engagement,
read once a day from the networks and kept in the ledger for the monthly report.

`read.py` holds the reading, `audience.py` what the report makes of it.
"""
