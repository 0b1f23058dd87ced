"""The simulator's HTTP areas, one blueprint each: ingest, control API, OpenAPI document.

Blueprints only parse requests, call the `Simulator` (`simulator_of(app)`) and return
what it returns; errors are raised, never rendered here (the app has the one error handler).
"""
