"""The clinician web app: pages, REST API and the services behind them."""
