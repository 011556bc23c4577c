using Retail.Grains.Storage;

namespace Retail.Grains.Tests.Storage;

public sealed class WriteCoalescerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FlushAsync_ManyRequestsWhileAWriteIsInFlight_ShareOneWrite()
    {
        var store = new GatedStore();
        var coalescer = new WriteCoalescer(store.WriteAsync);
        var first = store.ApplyAndFlush(coalescer);
        await store.WaitForWritesStartedAsync(1);

        var queued = Enumerable.Range(0, 100).Select(_ => store.ApplyAndFlush(coalescer)).ToList();
        store.ReleaseNextWrite();
        await first.WaitAsync(Patience);
        await store.WaitForWritesStartedAsync(2);
        store.ReleaseNextWrite();
        await Task.WhenAll(queued).WaitAsync(Patience);

        Assert.Equal(2, coalescer.WriteCount);
        Assert.Equal(101, store.DurableValue);
    }

    [Fact]
    public async Task FlushAsync_ConcurrentRequestsFromManyThreads_NeedFarFewerWritesThanRequests()
    {
        var durable = 0;
        var changes = 0;
        var coalescer = new WriteCoalescer(async () =>
        {
            var snapshot = Volatile.Read(ref changes);
            await Task.Delay(5);
            Volatile.Write(ref durable, snapshot);
        });

        var requests = Enumerable.Range(0, 500).Select(_ => Task.Run(async () =>
        {
            var mine = Interlocked.Increment(ref changes);
            await coalescer.FlushAsync();
            return Volatile.Read(ref durable) >= mine;
        })).ToList();
        var acknowledgedAfterDurable = await Task.WhenAll(requests).WaitAsync(Patience);

        Assert.All(acknowledgedAfterDurable, Assert.True);
        Assert.True(coalescer.WriteCount < 250, $"{coalescer.WriteCount} writes for 500 requests");
        Assert.Equal(500, durable);
    }

    [Fact]
    public async Task FlushAsync_RequestQueuedBehindAWrite_IsNotAcknowledgedUntilTheNextWriteCompletes()
    {
        var store = new GatedStore();
        var coalescer = new WriteCoalescer(store.WriteAsync);
        var first = store.ApplyAndFlush(coalescer);
        await store.WaitForWritesStartedAsync(1);
        var second = store.ApplyAndFlush(coalescer);

        store.ReleaseNextWrite();
        await first.WaitAsync(Patience);
        await store.WaitForWritesStartedAsync(2);
        var secondBeforeItsWrite = second.IsCompleted;
        store.ReleaseNextWrite();
        await second.WaitAsync(Patience);

        Assert.False(secondBeforeItsWrite);
        Assert.Equal(2, store.DurableValue);
    }

    [Fact]
    public async Task FlushAsync_WriteFails_FailsEveryWaiterOfThatWriteAndRestoresOnce()
    {
        var restores = 0;
        var failure = new InvalidOperationException("disk full");
        var store = new GatedStore();
        var coalescer = new WriteCoalescer(store.WriteAsync, _ =>
        {
            Interlocked.Increment(ref restores);
            store.Restore();
            return Task.CompletedTask;
        });
        var blocker = store.ApplyAndFlush(coalescer);
        await store.WaitForWritesStartedAsync(1);
        var batch = Enumerable.Range(0, 10).Select(_ => store.ApplyAndFlush(coalescer)).ToList();
        store.ReleaseNextWrite();
        await blocker.WaitAsync(Patience);
        await store.WaitForWritesStartedAsync(2);

        store.FailNextWrite(failure);

        foreach (var request in batch)
        {
            var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => request.WaitAsync(Patience));
            Assert.Same(failure, thrown);
        }

        Assert.Equal(1, restores);
        Assert.Equal(1, store.DurableValue);
        Assert.Equal(1, store.MemoryValue);
    }

    [Fact]
    public async Task FlushAsync_WriteFails_FailsRequestsQueuedBehindItBecauseTheRestoreDiscardsThem()
    {
        var store = new GatedStore();
        var coalescer = new WriteCoalescer(store.WriteAsync, _ =>
        {
            store.Restore();
            return Task.CompletedTask;
        });
        var failing = store.ApplyAndFlush(coalescer);
        await store.WaitForWritesStartedAsync(1);
        var queued = store.ApplyAndFlush(coalescer);

        store.FailNextWrite(new TimeoutException("connection lost"));

        await Assert.ThrowsAsync<TimeoutException>(() => failing.WaitAsync(Patience));
        await Assert.ThrowsAsync<TimeoutException>(() => queued.WaitAsync(Patience));
        Assert.Equal(0, store.MemoryValue);
        Assert.Equal(1, coalescer.WriteCount);
    }

    [Fact]
    public async Task FlushAsync_AfterAFailedWrite_WritesAgain()
    {
        var store = new GatedStore();
        var coalescer = new WriteCoalescer(store.WriteAsync, _ =>
        {
            store.Restore();
            return Task.CompletedTask;
        });
        var failing = store.ApplyAndFlush(coalescer);
        await store.WaitForWritesStartedAsync(1);
        store.FailNextWrite(new TimeoutException());
        await Assert.ThrowsAsync<TimeoutException>(() => failing.WaitAsync(Patience));

        var retry = store.ApplyAndFlush(coalescer);
        await store.WaitForWritesStartedAsync(2);
        store.ReleaseNextWrite();
        await retry.WaitAsync(Patience);

        Assert.Equal(1, store.DurableValue);
    }

    [Fact]
    public async Task FlushAsync_RestoreFails_WaitersSeeBothFailures()
    {
        var store = new GatedStore();
        var coalescer = new WriteCoalescer(store.WriteAsync, _ => throw new IOException("database gone"));
        var request = store.ApplyAndFlush(coalescer);
        await store.WaitForWritesStartedAsync(1);

        store.FailNextWrite(new TimeoutException());

        var thrown = await Assert.ThrowsAsync<AggregateException>(() => request.WaitAsync(Patience));
        Assert.Contains(thrown.InnerExceptions, e => e is TimeoutException);
        Assert.Contains(thrown.InnerExceptions, e => e is IOException);
    }

    [Fact]
    public async Task WaitForPendingAsync_NothingQueuedOrWriting_CompletesWithoutAWrite()
    {
        var store = new GatedStore();
        var coalescer = new WriteCoalescer(store.WriteAsync);
        var first = store.ApplyAndFlush(coalescer);
        await store.WaitForWritesStartedAsync(1);
        store.ReleaseNextWrite();
        await first.WaitAsync(Patience);

        var wait = coalescer.WaitForPendingAsync();

        Assert.True(wait.IsCompletedSuccessfully);
        Assert.Equal(1, coalescer.WriteCount);
    }

    [Fact]
    public async Task WaitForPendingAsync_WhileAWriteIsInFlight_CompletesWithThatWrite()
    {
        var store = new GatedStore();
        var coalescer = new WriteCoalescer(store.WriteAsync);
        var change = store.ApplyAndFlush(coalescer);
        await store.WaitForWritesStartedAsync(1);

        var wait = coalescer.WaitForPendingAsync();
        var completedBeforeTheWrite = wait.IsCompleted;
        store.ReleaseNextWrite();
        await wait.WaitAsync(Patience);

        Assert.False(completedBeforeTheWrite);
        Assert.Equal(1, store.DurableValue);
        Assert.Equal(1, coalescer.WriteCount);
        await change.WaitAsync(Patience);
    }

    [Fact]
    public async Task WaitForPendingAsync_ChangeQueuedBehindAWrite_CompletesOnlyWithTheNextWrite()
    {
        var store = new GatedStore();
        var coalescer = new WriteCoalescer(store.WriteAsync);
        var first = store.ApplyAndFlush(coalescer);
        await store.WaitForWritesStartedAsync(1);
        var queued = store.ApplyAndFlush(coalescer);

        var wait = coalescer.WaitForPendingAsync();
        store.ReleaseNextWrite();
        await first.WaitAsync(Patience);
        await store.WaitForWritesStartedAsync(2);
        var completedAfterTheFirstWrite = wait.IsCompleted;
        store.ReleaseNextWrite();
        await wait.WaitAsync(Patience);

        Assert.False(completedAfterTheFirstWrite);
        Assert.Equal(2, store.DurableValue);
        await queued.WaitAsync(Patience);
    }

    [Fact]
    public async Task WaitForPendingAsync_TheWriteItWaitsForFails_FaultsLikeTheWriters()
    {
        var store = new GatedStore();
        var coalescer = new WriteCoalescer(store.WriteAsync, _ =>
        {
            store.Restore();
            return Task.CompletedTask;
        });
        var change = store.ApplyAndFlush(coalescer);
        await store.WaitForWritesStartedAsync(1);
        var wait = coalescer.WaitForPendingAsync();

        store.FailNextWrite(new TimeoutException("connection lost"));

        await Assert.ThrowsAsync<TimeoutException>(() => wait.WaitAsync(Patience));
        await Assert.ThrowsAsync<TimeoutException>(() => change.WaitAsync(Patience));
        Assert.True(coalescer.WaitForPendingAsync().IsCompletedSuccessfully);
    }

    /// <summary>A counter whose writes wait until the test releases or fails them, one at a time.</summary>
    private sealed class GatedStore
    {
        private readonly Lock _gate = new();
        private readonly Queue<TaskCompletionSource> _pendingWrites = new();
        private int _started;
        private int _memoryValue;
        private int _durableValue;

        public int MemoryValue => Volatile.Read(ref _memoryValue);

        public int DurableValue => Volatile.Read(ref _durableValue);

        public Task ApplyAndFlush(WriteCoalescer coalescer)
        {
            Interlocked.Increment(ref _memoryValue);
            return coalescer.FlushAsync();
        }

        public async Task WriteAsync()
        {
            var snapshot = MemoryValue;
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                _pendingWrites.Enqueue(release);
                _started++;
            }

            await release.Task;
            Volatile.Write(ref _durableValue, snapshot);
        }

        public void Restore() => Volatile.Write(ref _memoryValue, DurableValue);

        public async Task WaitForWritesStartedAsync(int count)
        {
            var deadline = DateTime.UtcNow + Patience;
            while (true)
            {
                lock (_gate)
                {
                    if (_started >= count)
                    {
                        return;
                    }
                }

                Assert.True(DateTime.UtcNow < deadline, $"write {count} did not start");
                await Task.Delay(TimeSpan.FromMilliseconds(10));
            }
        }

        public void ReleaseNextWrite() => Dequeue().SetResult();

        public void FailNextWrite(Exception exception) => Dequeue().SetException(exception);

        private TaskCompletionSource Dequeue()
        {
            lock (_gate)
            {
                return _pendingWrites.Dequeue();
            }
        }
    }
}
