using AncOrleans.Abstractions.Recordings;
using AncOrleans.Grains.Sessions;
using Microsoft.Extensions.Logging;

namespace AncOrleans.Grains.Recordings;

/// <summary>
/// A session's opt-in recording, for its grain: turns the pipeline's <see cref="SessionPipeline.Recorder"/> on and off
/// and writes its chunks (<see cref="RecordingWriter"/>). Not persisted: a session that moves to another silo stops
/// recording until it is asked again (docs/recordings.md).
/// </summary>
public sealed class SessionRecording(string sessionId, IRecordingStore store, RecordingOptions options, ILogger logger)
{
    private RecordingWriter? _writer;

    /// <summary>Starts or stops; returns whether the session records. Throws <see cref="InvalidOperationException"/> before it is configured.</summary>
    public async Task<bool> SetAsync(SessionPipeline pipeline, bool on)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        if (!on)
        {
            await StopAsync(pipeline);
            return false;
        }
        if (pipeline.State.Config is not { } config) throw new InvalidOperationException("recording: the session is not configured yet; send start first");
        if (pipeline.Recorder is { } running && running.SampleRate == config.SampleRate) return true;
        await StopAsync(pipeline);
        _writer ??= new RecordingWriter(store, sessionId, logger);
        pipeline.Recorder = new SessionRecorder(sessionId, DateTime.UtcNow, config.SampleRate, (int)Math.Round(options.ChunkSeconds * config.SampleRate));
        logger.LogInformation("Session {Session}: recording on ({Store})", sessionId, options.Store);
        return true;
    }

    public void Write(RecordedChunk chunk) => _writer?.Write(chunk);

    /// <summary>Stops, writes what is left, and waits (5 s at most) for the writes.</summary>
    public async Task StopAsync(SessionPipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        if (pipeline.Recorder is not { } recorder || _writer is null) return;
        pipeline.Recorder = null;
        if (recorder.Flush() is { } rest) _writer.Write(rest);
        await _writer.DrainAsync(TimeSpan.FromSeconds(5));
        logger.LogInformation("Session {Session}: recording off after {Chunks} chunks ({Lost} lost so far)", sessionId, recorder.Chunks + 1, _writer.Lost);
    }
}
