using AncOrleans.Abstractions.Protocol;

namespace AncOrleans.Tests;

/// <summary>ControlMessage.Prepare: the serializer's metadata for what a device receives, built before streaming.</summary>
public sealed class ControlMessagePrepareTests
{
    [Fact]
    public void After_preparing_twice_a_stats_message_with_its_nested_objects_still_parses()
    {
        ControlMessage.Prepare();
        ControlMessage.Prepare(); // once per process: the second call returns at once

        var text = """{"type":"stats","stats":{"SessionId":"d","FramesIn":3,"ConvergenceState":"converged","Algorithm":"hybrid","Mode":"antinoise"},"frames":{"received":3,"answered":2},"framesDropped":1}"""u8;
        Assert.True(ControlMessage.TryParse(text, out var message, out var error), error);
        Assert.Equal("stats", message!.Type);
        Assert.Equal(3, message.Stats!.FramesIn);
        Assert.Equal(2, message.Frames!.Answered);
        Assert.Equal(1, message.FramesDropped);
    }
}
