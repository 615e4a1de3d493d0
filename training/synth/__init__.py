"""Seeded synthetic VoRA data: shape scenes and written numbers with questions and answers.

Pure Python 3 + PIL + numpy so that it runs on the GPU machine as well. docs/synthetic-data.md states
the distribution, the phrasings and the scoring rule; `python3 -m training.synth --help` lists the commands.
"""
