using AncOrleans.Abstractions.Protocol;

namespace AncOrleans.Tests;

/// <summary>One rule for device ids on WebSocket, MQTT and REST.</summary>
public sealed class DeviceIdTests
{
    [Theory]
    [InlineData("headset-42")]
    [InlineData("cabin_7.front")]
    [InlineData("a")]
    [InlineData("x.y")]
    public void Ordinary_ids_are_accepted(string text)
    {
        Assert.True(DeviceId.TryParse(text, out var id, out var error), error);
        Assert.Equal(text, id.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("headset\n")]
    [InlineData("a/b")]
    [InlineData("anc/+")]
    [InlineData("#")]
    [InlineData("héadset")]
    [InlineData(" headset")]
    public void Ids_that_could_escape_a_path_topic_or_log_line_are_refused(string text)
    {
        Assert.False(DeviceId.TryParse(text, out _, out var error));
        Assert.Contains("must be 1–128 characters", error);
        Assert.DoesNotContain("\n", error);
    }

    [Fact]
    public void An_id_longer_than_128_characters_is_refused()
    {
        Assert.True(DeviceId.TryParse(new string('a', 128), out _, out _));
        Assert.False(DeviceId.TryParse(new string('a', 129), out _, out _));
        Assert.Throws<ArgumentException>(() => DeviceId.Parse(null));
    }
}
