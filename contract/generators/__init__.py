"""Test data for both sides of the wire, as Hypothesis strategies: the only part of `contract`
that imports Hypothesis, so `import contract` never does.

    strategies      the public strategies: Segment calls, batches, invalid calls paired with the
                    field that breaks them, Akita messages, journeys
    journeys        whole customer journeys, built from independent plans
    journey_plans   people, visitors and accounts, planned independently so failures shrink
    journey_steps   a plan expanded into the calls its senders would make
    senders         how each Segment library writes a call on the wire
    samples         the values calls are made of (ids, traits, names, moments)
    breakages       one broken field at a time, with its JSON path
"""
