using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using ImagePs.Import;

namespace ImagePs.Commands;

/// <summary>
/// Runs Import-Image's inputs, up to a throttle limit at once, each on a thread of its own with its
/// own view of the repository, and hands back what they produce on the thread that pumps it (the
/// pipeline's, or a job's): messages as they come, results in input order.
/// </summary>
internal sealed class ImportRunner : IDisposable
{
    /// <summary>The overall progress line's activity id (the items' lines are its children).</summary>
    public const int OverallActivityId = int.MaxValue - 7;

    private readonly List<Item> _pending = new();
    private readonly Queue<Item> _waiting = new();
    private readonly int _limit;
    private readonly CancellationToken _cancellation;
    private int _running;

    public ImportRunner(int limit, CancellationToken cancellation)
    {
        _limit = Math.Max(1, limit);
        _cancellation = cancellation;
    }

    /// <summary>Warnings, verbose records and transfer progress from the running imports.</summary>
    public ConcurrentQueue<object> Messages { get; } = new();

    public SemaphoreSlim Signal { get; } = new(0);

    public int Total { get; private set; }

    public int Done { get; private set; }

    public sealed class Item
    {
        public Item(ImportRequest request, object target)
        {
            Request = request;
            Target = target;
        }

        public ImportRequest Request { get; }

        /// <summary>What an error names when the input fails (its path, URL or image).</summary>
        public object Target { get; }

        public Task<Image>? Work { get; set; }
    }

    public void Add(ImportRequest request, object target)
    {
        var item = new Item(request, target);
        _pending.Add(item);
        _waiting.Enqueue(item);
        Total++;
        StartWaiting();
    }

    /// <summary>
    /// Delivers messages and the results that are next in input order; returns when there is room for
    /// another input (or, with <paramref name="untilDone"/>, when every input is finished). When the
    /// call is stopped it waits for the running imports to clean up (each leaves its image Queued or
    /// Active), then throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public void Pump(Action<object> message, Action<Item> finished, bool untilDone)
    {
        while (true)
        {
            while (Messages.TryDequeue(out var next)) message(next);
            if (_cancellation.IsCancellationRequested)
            {
                WaitForRunning();
                throw new OperationCanceledException(_cancellation);
            }
            while (_pending.Count > 0 && _pending[0].Work is { IsCompleted: true })
            {
                var item = _pending[0];
                _pending.RemoveAt(0);
                Done++;
                finished(item);
            }
            StartWaiting();
            if (_pending.Count == 0) return;
            if (!untilDone && Volatile.Read(ref _running) < _limit && _waiting.Count == 0) return;
            Signal.Wait(250);
        }
    }

    /// <summary>The result of a finished item: its image, or its failure rethrown as it was.</summary>
    public static Image Result(Item item)
    {
        try
        {
            return item.Work!.GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            ExceptionDispatchInfo.Capture(e).Throw();
            throw;
        }
    }

    private void StartWaiting()
    {
        while (Volatile.Read(ref _running) < _limit && _waiting.Count > 0 && !_cancellation.IsCancellationRequested)
        {
            var item = _waiting.Dequeue();
            Interlocked.Increment(ref _running);
            item.Work = Task.Factory.StartNew(() => Run(item.Request), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            item.Work.ContinueWith(_ =>
            {
                Interlocked.Decrement(ref _running);
                Signal.Release();
            }, TaskScheduler.Default);
        }
    }

    private Image Run(ImportRequest request)
    {
        var observer = new QueuedObserver(Messages, Signal);
        var service = ImageService.Open(observer);
        return new ImageImporter(service, observer).Import(request, _cancellation);
    }

    private void WaitForRunning()
    {
        foreach (var item in _pending)
        {
            try
            {
                item.Work?.Wait();
            }
            catch (AggregateException)
            {
                // Its failure is its own cleanup's business; the call is being stopped.
            }
        }
    }

    public void Dispose()
    {
        WaitForRunning();
        Signal.Dispose();
    }
}
