"""What the agency offers and who the user is: catalog, centers, matching, mentors, KPIs,
texts, Flex cards, conversation state and prompts, reply and effect types.

No Flask, LINE or Redis here; it may use `nlp` (below it) and reads `config/` files.
"""
