"""Immutable published editions, read by the public site, exports and open data.

The models arrive with the publication work.
"""
