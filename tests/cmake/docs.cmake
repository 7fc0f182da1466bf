# The documentation: relative links resolve, every page is in the table of
# contents, and the sources cite pages and sections that exist.
concur_integration_test(docs)
