namespace Retail.Contracts.Storage;

/// <summary>
/// A grain state that keeps one keyed collection in rows of its own beside the state, so that a write stores only the
/// entries that changed since the state was last stored, not the whole collection (a hot stock position holds
/// thousands of open reservations). The state's own serialised form leaves the collection out. A storage that keeps
/// rows writes <see cref="ChangedRows"/> in the same transaction as the state (the rows change only when the state
/// write succeeds), reads every stored row back with the state (<see cref="LoadRow"/>), and deletes them when the
/// state is cleared; a storage that keeps the state object whole ignores this interface.
/// </summary>
public interface IStateRows
{
    /// <summary>
    /// The entries changed since the state was last stored: each key once, with its row's value (JSON) to store, or
    /// null when the key's row is to be deleted. The state forgets them once its owner knows the write succeeded.
    /// </summary>
    IReadOnlyCollection<KeyValuePair<string, string?>> ChangedRows();

    /// <summary>Puts one stored row into the state just read (after its own part was deserialised), once per row.</summary>
    void LoadRow(string key, string value);
}
