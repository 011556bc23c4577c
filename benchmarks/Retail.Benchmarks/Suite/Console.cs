using System.Diagnostics;
using Spectre.Console;

namespace Retail.Benchmarks.Suite;

/// <summary>Progress on the terminal: a bar per step, advanced by completed work or by elapsed time.</summary>
internal static class ProgressConsole
{
    public static void Step(string message) => AnsiConsole.MarkupLine($"[grey]{DateTime.Now:HH:mm:ss}[/] {Markup.Escape(message)}");

    public static void Result(string message) => AnsiConsole.MarkupLine($"[grey]{DateTime.Now:HH:mm:ss}[/]   [green]{Markup.Escape(message)}[/]");

    public static void Failure(string message) => AnsiConsole.MarkupLine($"[grey]{DateTime.Now:HH:mm:ss}[/]   [red]{Markup.Escape(message)}[/]");

    /// <summary>
    /// Runs <paramref name="work"/> with a bar that shows <c>max(done/total, elapsed/duration)</c>: count-bounded work
    /// reports through the callback, duration-bounded work fills with time.
    /// </summary>
    public static async Task<T> TrackAsync<T>(string description, int total, TimeSpan? duration, Func<Action<int>, Task<T>> work)
    {
        var done = 0;
        var stopwatch = Stopwatch.StartNew();
        return await AnsiConsole.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: 1.0);
                var running = work(count => Volatile.Write(ref done, count));
                while (!running.IsCompleted)
                {
                    var byCount = total > 0 ? Volatile.Read(ref done) / (double)total : 0;
                    var byTime = duration is { } d ? stopwatch.Elapsed / d : 0;
                    task.Value = Math.Min(1.0, Math.Max(byCount, byTime));
                    await Task.WhenAny(running, Task.Delay(200));
                }

                task.Value = 1.0;
                return await running;
            });
    }
}
