"""A bounded load test of the entry pages and the API against gunicorn (`manage.py loadtest`).

- `seed`: a synthetic election on the current database (clerk pairs with their stations and
  protocols, auditors with API tokens), built with the project's services.
- `server`: gunicorn with the production settings and deploy/gunicorn.conf.py as deployed (its
  worker class, processes and threads) on a loopback port.
- `runner`: clerks (log in, GET the entry form, POST "finish"; two clerks per protocol so the
  protocols verify) and auditors (token GETs on the API) as threads; latency and error figures;
  afterwards the entries counted in the database against the successful POSTs; per kind of
  request the figures and a verdict against issue 21's targets (`verdict`).
- `report`: the figures' block in docs/PERFORMANCE.md ("Load test").

Loopback only; bounded by request count and by time; stops by itself.
"""
