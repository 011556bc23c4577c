using System.Collections.Immutable;

namespace Retail.Grains.Inventory;

/// <summary>
/// The open reservations of one position, keyed by <see cref="Contracts.Inventory.ReservationId"/> (<c>orderId/lineId</c>), with
/// what the position asks of them on every request kept as they change: the units reserved, the earliest expiry and
/// whether any awaits a holder check. A hot position holds thousands, so nothing on a request's path walks them all.
/// </summary>
/// <remarks>
/// <para>
/// The entries are immutable and held in persistent collections, so a copy of the book (Orleans' deep copy of the state
/// for each group write) shares them and costs the same at any size.
/// </para>
/// <para>
/// The book remembers which keys changed since it was last stored, each with the number of its latest change, so that
/// the storage writes those rows only (<see cref="InventoryState"/> is <see cref="Contracts.Storage.IStateRows"/>).
/// Once a write of a copy is durable, <see cref="MarkStored"/> forgets the changes that copy held; a change made while
/// the write was in flight has a higher number and waits for the next write.
/// </para>
/// </remarks>
[GenerateSerializer, Alias("Retail.ReservationBook")]
internal sealed class ReservationBook
{
    [Id(0)] private ImmutableDictionary<string, InventoryReservation> _entries = ImmutableDictionary.Create<string, InventoryReservation>(StringComparer.Ordinal);
    [Id(1)] private ImmutableDictionary<string, long> _changed = ImmutableDictionary.Create<string, long>(StringComparer.Ordinal);
    [Id(2)] private long _changes;
    [Id(3)] private int _reserved;
    [Id(4)] private int _expiring;
    /// <summary>No entry expires before it (the earliest expiry, or earlier when that entry has gone since).</summary>
    [Id(5)] private DateTimeOffset _expiryBound = DateTimeOffset.MaxValue;
    [Id(6)] private int _awaitingHolderCheck;

    public int Count => _entries.Count;

    /// <summary>Units held by every entry.</summary>
    public int Reserved => _reserved;

    public IEnumerable<InventoryReservation> Values => _entries.Values;

    public IEnumerable<KeyValuePair<string, InventoryReservation>> Entries => _entries;

    public IEnumerable<string> Keys => _entries.Keys;

    /// <summary>True when some entry was reserved without expiry and no order has confirmed it yet.</summary>
    public bool AnyAwaitsHolderCheck => _awaitingHolderCheck > 0;

    /// <summary>
    /// When the next entry may expire: the earliest expiry, or a moment before it once that entry has gone (the first
    /// <see cref="TakeExpired"/> at or after it sets it exactly); null when no entry expires.
    /// </summary>
    public DateTimeOffset? NextExpiry => _expiring > 0 ? _expiryBound : null;

    /// <summary>The keys changed since the book was last stored, each with its entry, or null for a removed one.</summary>
    public IEnumerable<KeyValuePair<string, InventoryReservation?>> Changes =>
        _changed.Keys.Select(key => KeyValuePair.Create(key, _entries.GetValueOrDefault(key)));

    public InventoryReservation this[string key] => _entries[key];

    public bool TryGetValue(string key, out InventoryReservation reservation) => _entries.TryGetValue(key, out reservation!);

    /// <summary>Adds the entry under <paramref name="key"/>, or replaces the one there.</summary>
    public void Put(string key, InventoryReservation reservation)
    {
        Set(key, reservation);
        Changed(key);
    }

    /// <summary>Removes the entry under <paramref name="key"/>; false when there is none.</summary>
    public bool Remove(string key)
    {
        if (!_entries.TryGetValue(key, out var previous))
        {
            return false;
        }
        Exclude(previous);
        _entries = _entries.Remove(key);
        Changed(key);
        return true;
    }

    /// <summary>Removes and answers the entries whose expiry is at or before <paramref name="now"/>; walks them only when one may be due.</summary>
    public List<KeyValuePair<string, InventoryReservation>> TakeExpired(DateTimeOffset now)
    {
        if (_expiring == 0 || _expiryBound > now)
        {
            return [];
        }
        var expired = _entries.Where(e => e.Value.ExpiresAt <= now).ToList();
        foreach (var (key, _) in expired)
        {
            Remove(key);
        }
        _expiryBound = _expiring == 0 ? DateTimeOffset.MaxValue : _entries.Values.Min(e => e.ExpiresAt) ?? DateTimeOffset.MaxValue;
        return expired;
    }

    /// <summary>Puts a stored entry in the book as read: not a change to store.</summary>
    public void Load(string key, InventoryReservation reservation) => Set(key, reservation);

    /// <summary>Forgets the changes <paramref name="stored"/> (a copy of this book taken earlier) held, now that it is durable.</summary>
    public void MarkStored(ReservationBook stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var done = stored._changed.Where(c => _changed.TryGetValue(c.Key, out var number) && number == c.Value).Select(c => c.Key).ToList();
        _changed = _changed.RemoveRange(done);
    }

    private void Set(string key, InventoryReservation reservation)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        if (_entries.TryGetValue(key, out var previous))
        {
            Exclude(previous);
        }
        Include(reservation);
        _entries = _entries.SetItem(key, reservation);
    }

    private void Changed(string key) => _changed = _changed.SetItem(key, ++_changes);

    private void Include(InventoryReservation reservation)
    {
        _reserved += reservation.Quantity;
        if (reservation.ExpiresAt is { } expiresAt)
        {
            _expiring++;
            if (expiresAt < _expiryBound)
            {
                _expiryBound = expiresAt;
            }
        }
        if (reservation.NeedsHolderCheck)
        {
            _awaitingHolderCheck++;
        }
    }

    private void Exclude(InventoryReservation reservation)
    {
        _reserved -= reservation.Quantity;
        if (reservation.ExpiresAt is not null && --_expiring == 0)
        {
            _expiryBound = DateTimeOffset.MaxValue;
        }
        if (reservation.NeedsHolderCheck)
        {
            _awaitingHolderCheck--;
        }
    }
}
