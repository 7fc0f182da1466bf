# Integration tests: the real concur binary on real experiment files, CSV read
# back with Python's csv module.
concur_integration_test(run errors sdk)
