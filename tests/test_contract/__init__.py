"""Tests of the contract package: schemas, validators, timestamps and strategies."""
