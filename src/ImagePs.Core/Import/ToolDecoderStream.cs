using System;
using System.Buffers;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using CliWrap;

namespace ImagePs.Import;

/// <summary>
/// The decompressed output of a system program (<c>xz -dc</c>, <c>bzip2 -dc</c>) run through CliWrap:
/// the compressed bytes are pumped into its standard input while its standard output is read, each
/// on its own task, so neither side can wait for the other; at most <see cref="QueuedChunks"/> chunks
/// of output wait for the reader (memory stays flat whatever the sizes). The end of the output
/// counts only after the program exited with 0: a non-zero exit (corrupt or cut-short input) fails
/// the read that would have ended the stream. Disposing it early, or cancelling, kills the program
/// and waits for it to be reaped.
/// </summary>
internal sealed class ToolDecoderStream : ReadOnlyForwardStream
{
    private const int ChunkBytes = 64 * 1024;
    private const int QueuedChunks = 16;
    private const int MaxErrorBytes = 8 * 1024;
    private static readonly TimeSpan ReapWait = TimeSpan.FromSeconds(30);

    private readonly string _name;
    private readonly Stream _input;
    private readonly Channel<Chunk> _chunks = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(QueuedChunks) { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop;
    private readonly CancellationToken _cancellationToken;
    private readonly MemoryStream _stderr = new();
    private readonly Task<CommandResult> _run;
    private Chunk _current;
    private int _offset;
    private bool _ended;
    private bool _disposed;

    private ToolDecoderStream(string name, string program, Stream input, CancellationToken cancellationToken)
    {
        _name = name;
        _input = input;
        _cancellationToken = cancellationToken;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var execution = Cli.Wrap(program)
            .WithArguments(new[] { "-dc" })
            .WithValidation(CommandResultValidation.None)
            .WithStandardInputPipe(PipeSource.Create(PumpInputAsync))
            .WithStandardOutputPipe(PipeTarget.Create(QueueOutputAsync))
            .WithStandardErrorPipe(PipeTarget.Create(KeepErrorsAsync))
            .ExecuteAsync(_stop.Token);
        ProcessId = execution.ProcessId;
        _run = execution.Task;
    }

    /// <summary>Starts <paramref name="program"/> <c>-dc</c> on the input; null when it cannot be started.</summary>
    public static ToolDecoderStream? TryStart(string name, string program, Stream input, CancellationToken cancellationToken)
    {
        try
        {
            return new ToolDecoderStream(name, program, input, cancellationToken);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The program's process id (for tests that check it is gone after an early dispose).</summary>
    public int ProcessId { get; }

    public override int Read(Span<byte> buffer)
    {
        if (_ended || buffer.Length == 0) return 0;
        while (_current.Buffer is null || _offset == _current.Length)
        {
            Release();
            if (!NextChunk())
            {
                EndOfOutput();
                return 0;
            }
        }
        var n = Math.Min(buffer.Length, _current.Length - _offset);
        _current.Buffer.AsSpan(_offset, n).CopyTo(buffer);
        _offset += n;
        return n;
    }

    private bool NextChunk()
    {
        while (true)
        {
            if (_chunks.Reader.TryRead(out var chunk))
            {
                _current = chunk;
                _offset = 0;
                return true;
            }
            // Throws the output task's failure (the program killed, a broken pipe) or the cancellation.
            if (!_chunks.Reader.WaitToReadAsync(_cancellationToken).AsTask().GetAwaiter().GetResult()) return false;
        }
    }

    /// <summary>The output ended: it is the whole output only when the program exited with 0.</summary>
    private void EndOfOutput()
    {
        var result = _run.GetAwaiter().GetResult();
        _cancellationToken.ThrowIfCancellationRequested();
        if (result.ExitCode != 0)
            throw new InvalidDataException(string.Format(Messages.DecompressionToolExitCode, _name, result.ExitCode, FirstErrorLine()));
        _ended = true;
    }

    private string FirstErrorLine()
    {
        string text;
        lock (_stderr) text = Encoding.UTF8.GetString(_stderr.GetBuffer(), 0, (int)_stderr.Length);
        var line = Formats.ByteFields.Printable(text.Split('\n')[0].Trim());
        return line.Length == 0 ? Messages.DecompressionToolNoMessage : line;
    }

    private async Task PumpInputAsync(Stream stdin, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                int n;
                try
                {
                    // The source is read synchronously on this pool thread: it may be any stream.
                    n = _input.Read(buffer, 0, ChunkBytes);
                }
                catch (Exception)
                {
                    // The source failed (SourceReadGuard keeps its exception for the reader): closing
                    // stdin makes the program see cut-short input and exit non-zero.
                    return;
                }
                if (n == 0) return;
                try
                {
                    await stdin.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    // The program stopped reading (it exited, its exit code says why).
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task QueueOutputAsync(Stream stdout, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
                var n = await stdout.ReadAsync(buffer.AsMemory(0, ChunkBytes), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return;
                }
                await _chunks.Writer.WriteAsync(new Chunk(buffer, n), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            failure = e;
            throw;
        }
        finally
        {
            _chunks.Writer.TryComplete(failure);
        }
    }

    private async Task KeepErrorsAsync(Stream stderr, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        int n;
        while ((n = await stderr.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            lock (_stderr)
            {
                var room = MaxErrorBytes - (int)_stderr.Length;
                if (room > 0) _stderr.Write(buffer, 0, Math.Min(n, room));
            }
        }
    }

    private void Release()
    {
        if (_current.Buffer is not null) ArrayPool<byte>.Shared.Return(_current.Buffer);
        _current = default;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            // Kills the program if it still runs (CliWrap kills the process tree) and waits for it.
            _stop.Cancel();
            // A queue the reader no longer empties must not hold the output task.
            _chunks.Writer.TryComplete();
            while (_chunks.Reader.TryRead(out var queued)) ArrayPool<byte>.Shared.Return(queued.Buffer);
            try
            {
                _run.Wait(ReapWait);
            }
            catch (AggregateException)
            {
                // Cancelled or failed: the program is gone either way.
            }
            Release();
            while (_chunks.Reader.TryRead(out var chunk)) ArrayPool<byte>.Shared.Return(chunk.Buffer);
            _stop.Dispose();
        }
        base.Dispose(disposing);
    }

    private readonly record struct Chunk(byte[] Buffer, int Length);
}
