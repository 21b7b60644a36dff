"""PARWOP STAND-IN: a test fixture of the parwop-lab project, NOT PARWOP.

It honours the deployment contract of PARWOP (env vars, roles, ports, heartbeat and status
endpoints, the client classes the experiment driver imports) so the lab can test the
deployment against real containers. It does small, honest work on JSON Lines fixture data;
it has none of PARWOP's engine. See test/standin/README.md.
"""

STANDIN = True
