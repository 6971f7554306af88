"""The review loop at run time (issue 12, point 7), shared by every process through the store.

Staff label the messages the bot was unsure about in the console (labels.py); an admin retrains
the intent model on config/intents plus those labels, which stores a new version with its
figures (train.py, models.py); activating a version makes every process answer with it (the
classifier in bot/nlu.py checks the active version at most every 30 s) and adds the questions
attached to FAQ entries to the FAQ index (bot/faq.py). Nothing is written to config/ at run
time: `python -m nlp review export --labels` writes the labels there, for committing.
"""
