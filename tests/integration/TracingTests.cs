using System.Diagnostics;
using AncOrleans.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>The gateway with tracing on (every trace kept) and the spans collected in memory instead of sent over OTLP.</summary>
public sealed class TracingGatewayFixture : GatewayFixture
{
    public List<Activity> Spans { get; } = [];

    protected override string[] ExtraArguments() => ["--Telemetry:Tracing=true", "--Telemetry:SamplingRatio=1"];

    protected override void Configure(WebApplicationBuilder builder) =>
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans));
}

/// <summary>One frame's spans: the gateway's receive span, Orleans' grain call and the reply are one trace.</summary>
public sealed class TracingTests(TracingGatewayFixture gateway, ITestOutputHelper output) : IClassFixture<TracingGatewayFixture>
{
    [Fact]
    public async Task A_frames_receive_grain_call_and_reply_are_one_trace()
    {
        var id = "trace-" + Guid.NewGuid().ToString("N")[..8];
        await using var device = await gateway.ConnectDeviceAsync(id);
        await device.StartAsync();
        const uint sequence = 7;
        await device.SendBinaryAsync(DeviceTestClient.AudioFrame(sequence, 70_000));
        var (reply, error) = await device.NextReplyAsync();
        Assert.Null(error);
        Assert.Equal(sequence, reply!.Value.Sequence);

        // The frame span ends once the reply is queued, just after the device may already have it: wait for it.
        Activity? frame = null;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (frame is null && DateTime.UtcNow < deadline)
        {
            lock (gateway.Spans) frame = gateway.Spans.FirstOrDefault(s => s.OperationName == "anc.frame" && Equals(s.GetTagItem("anc.session"), id)
                && Equals(s.GetTagItem("anc.sequence"), (long)sequence));
            if (frame is null) await Task.Delay(50);
        }
        if (frame is null)
            lock (gateway.Spans) foreach (var span in gateway.Spans.Take(50)) output.WriteLine($"seen: {span.Source.Name} {span.DisplayName} {string.Join(",", span.TagObjects.Select(t => $"{t.Key}={t.Value}"))}");
        Assert.NotNull(frame);
        Activity[] trace;
        lock (gateway.Spans) trace = [.. gateway.Spans.Where(s => s.TraceId == frame.TraceId)];
        foreach (var span in trace) output.WriteLine($"{span.Source.Name} {span.DisplayName} {span.Kind} parent={span.ParentSpanId} id={span.SpanId}");

        // gateway receive → grain call (Orleans' client and server spans of ISessionGrain.ProcessAsync) → reply
        var calls = trace.Where(s => s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) && s.DisplayName.Contains("ProcessAsync", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(calls);
        Assert.Contains(calls, c => c.ParentSpanId == frame.SpanId);
        Assert.Contains(trace, s => s.OperationName == "anc.frame.reply" && s.ParentSpanId == frame.SpanId);
        Assert.Equal(ActivityKind.Server, frame.Kind);
    }
}
