using System.Collections.Concurrent;
using System.Diagnostics;
using Retail.Messaging.Diagnostics;

namespace Retail.Messaging.Tests;

/// <summary>Listens to the Retail.Messaging activity source and keeps the activities that stopped.</summary>
internal sealed class ActivityRecorder : IDisposable
{
    private readonly ActivityListener listener;

    public ActivityRecorder()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MessagingDiagnostics.ActivitySourceName || source.Name == TestSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
    }

    private const string TestSourceName = "Retail.Messaging.Tests";

    public static ActivitySource TestSource { get; } = new(TestSourceName);

    public ConcurrentQueue<Activity> Stopped { get; } = new();

    public void Dispose() => listener.Dispose();
}
