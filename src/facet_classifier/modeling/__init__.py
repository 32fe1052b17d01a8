"""Modeling stage: train, save/load, classify and explain."""
