using Mesh.Gateway.Testing;

namespace Mesh.Gateway.FunctionalTests.Parity;

/// <summary>One way into the gateway: a column of the door-parity matrix. Every scenario runs through every door.</summary>
/// <remarks>A door added later (the HTTP door) implements this and joins <see cref="Doors.All"/>: it inherits every row.</remarks>
public interface IDoor
{
    /// <summary>The column's name (test display).</summary>
    string Name { get; }

    /// <summary>True when the caller reads a stream (the upstream answers with an event stream).</summary>
    bool Streams { get; }

    /// <summary>The ledger's <c>door</c> value for calls through this door.</summary>
    string LedgerDoor { get; }

    /// <summary>The <c>gen_ai.provider.name</c> of the upstream this door calls.</summary>
    string GenAiProvider { get; }

    /// <summary>The concrete model for a scenario's logical model (the same model family in this door's wire schema).</summary>
    string Model(string logical);

    /// <summary>The upstream's answer with <paramref name="deltas"/> as the generated text, in this door's wire schema (a stream when <see cref="Streams"/>).</summary>
    FakeResponse Reply(IReadOnlyList<string> deltas);

    /// <summary>The upstream's answer that is one call of the tool <paramref name="name"/>, in this door's wire schema.</summary>
    FakeResponse ToolCallReply(string name, string arguments);

    /// <summary>Makes the call as this door's real client would and says what the caller saw.</summary>
    Task<DoorOutcome> CallAsync(ParityRig rig, DoorCall request, CancellationToken cancellationToken);
}
