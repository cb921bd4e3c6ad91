using AncOrleans.Grains.Sessions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Aws.DynamoDb;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace AncOrleans.Tests;

/// <summary>
/// The DynamoDB grain storage against AWS's own emulator, DynamoDB Local, which .ci/run starts on 127.0.0.1:18000
/// (ANC_DYNAMODB_URL). A new table prefix per run keeps runs apart.
/// </summary>
public sealed class DynamoDbStorageTests : IAsyncLifetime
{
    private readonly DynamoDbOptions _options = DynamoDbLocal.Options();
    private DynamoDbGrainStorage _storage = null!;

    public async Task InitializeAsync()
    {
        var serializer = new ServiceCollection().AddSerializer(s => s.AddAssembly(typeof(SessionCheckpoint).Assembly)).BuildServiceProvider().GetRequiredService<Serializer>();
        _storage = new DynamoDbGrainStorage("sessions", _options, DynamoDbClientFactory.Create(_options), serializer);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await _storage.InitialiseAsync(timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or Amazon.Runtime.AmazonServiceException or OperationCanceledException)
        {
            throw new InvalidOperationException($"DynamoDB Local is not reachable at {_options.ServiceUrl} ({e.Message}). .ci/run starts it; locally: infra/local/dynamodb-local.sh.", e);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static GrainId Grain(string key) => GrainId.Create("session", key);

    [Fact]
    public async Task A_state_round_trips_and_a_missing_one_reads_as_new()
    {
        var id = Grain(Guid.NewGuid().ToString("N"));
        var state = new GrainState<SessionCheckpoint>(new SessionCheckpoint { FramesIn = 42, FilterState = [1, 2, 3] });
        await _storage.WriteStateAsync("session", id, state);
        Assert.NotNull(state.ETag);

        var read = new GrainState<SessionCheckpoint>(new SessionCheckpoint());
        await _storage.ReadStateAsync("session", id, read);
        Assert.True(read.RecordExists);
        Assert.Equal(42, read.State!.FramesIn);
        Assert.Equal(new byte[] { 1, 2, 3 }, read.State!.FilterState);
        Assert.Equal(state.ETag, read.ETag);

        var missing = new GrainState<SessionCheckpoint>(new SessionCheckpoint());
        await _storage.ReadStateAsync("session", Grain("never-written"), missing);
        Assert.False(missing.RecordExists);
        Assert.Null(missing.ETag);
    }

    [Fact]
    public async Task A_stale_etag_conflicts()
    {
        var id = Grain(Guid.NewGuid().ToString("N"));
        var first = new GrainState<SessionCheckpoint>(new SessionCheckpoint { FramesIn = 1 });
        await _storage.WriteStateAsync("session", id, first);
        var second = new GrainState<SessionCheckpoint>(new SessionCheckpoint());
        await _storage.ReadStateAsync("session", id, second);
        second.State!.FramesIn = 2;
        await _storage.WriteStateAsync("session", id, second);

        first.State!.FramesIn = 3; // first still holds the old ETag
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("session", id, first));
        var fresh = new GrainState<SessionCheckpoint>(new SessionCheckpoint { FramesIn = 9 }); // no ETag: must not overwrite
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("session", id, fresh));
    }

    [Fact]
    public async Task Clear_removes_the_state()
    {
        var id = Grain(Guid.NewGuid().ToString("N"));
        var state = new GrainState<SessionCheckpoint>(new SessionCheckpoint { FramesIn = 5 });
        await _storage.WriteStateAsync("session", id, state);
        await _storage.ClearStateAsync("session", id, state);
        Assert.False(state.RecordExists);
        var read = new GrainState<SessionCheckpoint>(new SessionCheckpoint());
        await _storage.ReadStateAsync("session", id, read);
        Assert.False(read.RecordExists);
    }

    [Fact]
    public async Task A_state_larger_than_one_item_is_split_and_read_back()
    {
        var id = Grain(Guid.NewGuid().ToString("N"));
        var big = new byte[1_500_000];
        new Random(3).NextBytes(big); // incompressible: four chunks of 350 KB and a remainder
        var state = new GrainState<SessionCheckpoint>(new SessionCheckpoint { FilterState = big });
        await _storage.WriteStateAsync("session", id, state);
        var read = new GrainState<SessionCheckpoint>(new SessionCheckpoint());
        await _storage.ReadStateAsync("session", id, read);
        Assert.Equal(big, read.State!.FilterState);

        // A session checkpoint with 512 coefficients per branch fits one item easily.
        var processor = new AncOrleans.Dsp.AncProcessor(new AncOrleans.Dsp.AncSettings { DelaySamples = 960 });
        var checkpoint = System.Runtime.InteropServices.MemoryMarshal.AsBytes(processor.SaveState().AsSpan()).ToArray();
        Assert.True(checkpoint.Length < DynamoDbGrainStorage.ChunkBytes, $"{checkpoint.Length} bytes");
    }
}
