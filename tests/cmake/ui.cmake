# The interface people use: charts, progress, help, man page, and the
# gallery check - every file in configs/ must pass `concur validate`.
concur_integration_test(ui)
