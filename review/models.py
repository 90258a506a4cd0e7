"""三上三下: frozen submissions, comments, dispositions, disputes, decisions and the stage log.

The models arrive with the review work; `review/workflow.py` will be the only
place that moves a list from one stage to the next.
"""
