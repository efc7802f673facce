namespace RevLoop.Metrics;
