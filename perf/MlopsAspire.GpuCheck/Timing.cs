
internal sealed record Timing(double MedianMilliseconds, int Runs, double Seconds)
{
    public double RowsPerSecond(int batch) => Runs * batch / Seconds;
}
