using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Retail.Contracts;
using Retail.Contracts.Inventory;

namespace Retail.Grains.Tests.Inventory;

/// <summary>
/// Random operation sequences against one fresh position, each step checked against a plain model of the rules
/// and against the invariants that must hold whatever happened.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class InventoryGrainPropertyTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset SnapshotBase = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Property(MaxTest = 40, Arbitrary = [typeof(InventoryScripts)], QuietOnSuccess = true)]
    public async Task Operations_AnySequence_KeepInvariants(InventoryScript script)
    {
        var grain = fixture.Grains.GetGrain<IInventoryGrain>(InventoryKey.For($"SKU-{Guid.NewGuid():N}", "wh-1"));
        var model = new InventoryModel();
        InventoryStep? previous = null;

        foreach (var step in script.Steps)
        {
            var current = step is InventoryStep.Repeat ? previous : step;
            if (current is null)
            {
                continue;
            }
            var before = await grain.GetAsync();

            await ApplyAsync(grain, model, current);

            var after = await grain.GetAsync();
            Assert.Equal((model.OnHand, model.SafetyStock, model.Reserved, model.Known), (after.OnHand, after.SafetyStock, after.Reserved, after.Known));
            Assert.Equal(after.OnHand - after.SafetyStock - after.Reserved, after.Available);
            Assert.True(after.Reserved == 0 || after.Available >= 0, $"reservations exceed stock after {current}: {after}");
            if (step is InventoryStep.Repeat)
            {
                Assert.Equal(before, after);
            }
            previous = current;
        }
    }

    private static async Task ApplyAsync(IInventoryGrain grain, InventoryModel model, InventoryStep step)
    {
        switch (step)
        {
            case InventoryStep.Reserve reserve:
                var id = Line(reserve.Line);
                var result = await grain.ReserveAsync(new ReservationRequest
                {
                    Id = id,
                    Quantity = reserve.Quantity,
                    ExpiresAt = reserve.Unpaid ? DateTimeOffset.UtcNow.AddHours(1) : null,
                });
                var expected = model.Reserve(id.ToString(), reserve.Quantity);
                Assert.Equal((expected.Reserved, expected.Quantity, model.Available), (result.Reserved, result.Quantity, result.Available));
                Assert.True(!result.Reserved || result.Available >= 0, "a reservation took available below zero");
                break;
            case InventoryStep.Release release:
                await grain.ReleaseAsync(Line(release.Line));
                model.Reservations.Remove(Line(release.Line).ToString());
                break;
            case InventoryStep.Confirm confirm when model.Reservations.ContainsKey(Line(confirm.Line).ToString()):
                await grain.ConfirmAsync(Line(confirm.Line));
                break;
            case InventoryStep.Confirm confirm:
                var notFound = await Assert.ThrowsAsync<RetailException>(() => grain.ConfirmAsync(Line(confirm.Line)));
                Assert.Equal(ProblemCodes.InventoryNotFound, notFound.Code);
                break;
            case InventoryStep.Fulfil fulfil:
                await grain.FulfilAsync($"ship-{fulfil.Operation}", Line(fulfil.Line), fulfil.Quantity);
                model.Fulfil($"ship-{fulfil.Operation}", Line(fulfil.Line).ToString(), fulfil.Quantity);
                break;
            case InventoryStep.Restock restock:
                await grain.RestockAsync($"return-{restock.Operation}", restock.Quantity);
                model.Restock($"return-{restock.Operation}", restock.Quantity);
                break;
            case InventoryStep.Adjust adjust when model.AdjustAllowed($"adj-{adjust.Adjustment}", adjust.Delta):
                var adjusted = await grain.AdjustAsync($"adj-{adjust.Adjustment}", adjust.Delta, "count");
                model.Adjust($"adj-{adjust.Adjustment}", adjust.Delta);
                Assert.Equal(model.OnHand, adjusted.OnHand);
                break;
            case InventoryStep.Adjust adjust:
                await Assert.ThrowsAsync<RetailValidationException>(() => grain.AdjustAsync($"adj-{adjust.Adjustment}", adjust.Delta, "count"));
                break;
            case InventoryStep.Snapshot snapshot:
                var asOf = SnapshotBase.AddMinutes(snapshot.Minute);
                var applied = await grain.ApplySnapshotAsync(asOf, snapshot.Count);
                var (expectedApplied, variance, released) = model.Snapshot(asOf, snapshot.Count);
                Assert.Equal(expectedApplied, applied.Applied);
                Assert.Equal(variance, applied.Variance);
                Assert.Equal(released, applied.Released.Select(r => r.ToString()));
                break;
            case InventoryStep.SetStock set:
                var position = await grain.SetStockAsync(set.OnHand, set.SafetyStock);
                model.SetStock(set.OnHand, set.SafetyStock);
                Assert.Equal(model.Reserved, position.Reserved);
                break;
            default:
                throw new InvalidOperationException($"Unknown step {step}.");
        }
    }

    /// <summary>Lines 1-4 are order lines that reserve; line 5 never does (a sale at the counter).</summary>
    private static ReservationId Line(int line) => new($"order-{line}", "1");

    /// <summary>The rules in their plainest form.</summary>
    private sealed class InventoryModel
    {
        private readonly HashSet<string> _applied = new(StringComparer.Ordinal);
        private DateTimeOffset? _lastSnapshot;
        private long _counter;

        public int OnHand { get; private set; }
        public int SafetyStock { get; private set; }
        public bool Known { get; private set; }
        public Dictionary<string, (int Quantity, long Number)> Reservations { get; } = new(StringComparer.Ordinal);
        public int Reserved => Reservations.Values.Sum(r => r.Quantity);
        public int Available => OnHand - SafetyStock - Reserved;

        public (bool Reserved, int Quantity) Reserve(string id, int quantity)
        {
            if (Reservations.TryGetValue(id, out var existing))
            {
                return (true, existing.Quantity);
            }
            if (quantity > Available)
            {
                return (false, 0);
            }
            Reservations[id] = (quantity, ++_counter);
            return (true, quantity);
        }

        public void Fulfil(string operationId, string id, int quantity)
        {
            if (!_applied.Add($"fulfil:{operationId}"))
            {
                return;
            }
            if (Reservations.TryGetValue(id, out var reservation))
            {
                var left = reservation.Quantity - Math.Min(quantity, reservation.Quantity);
                if (left == 0)
                {
                    Reservations.Remove(id);
                }
                else
                {
                    Reservations[id] = (left, reservation.Number);
                }
            }
            OnHand = Math.Max(0, OnHand - quantity);
            ReleaseShortfall();
        }

        public void Restock(string operationId, int quantity)
        {
            if (_applied.Add($"restock:{operationId}"))
            {
                OnHand += quantity;
                Known = true;
            }
        }

        public bool AdjustAllowed(string adjustmentId, int delta) => _applied.Contains($"adjust:{adjustmentId}") || OnHand + delta >= 0;

        public void Adjust(string adjustmentId, int delta)
        {
            if (_applied.Add($"adjust:{adjustmentId}"))
            {
                OnHand += delta;
                Known = true;
                ReleaseShortfall();
            }
        }

        public (bool Applied, int Variance, List<string> Released) Snapshot(DateTimeOffset asOf, int count)
        {
            if (_lastSnapshot is { } last && asOf <= last)
            {
                return (false, 0, []);
            }
            var variance = Known ? count - OnHand : 0;
            OnHand = count;
            Known = true;
            _lastSnapshot = asOf;
            return (true, variance, ReleaseShortfall());
        }

        public void SetStock(int onHand, int safetyStock)
        {
            OnHand = onHand;
            SafetyStock = safetyStock;
            Known = true;
            ReleaseShortfall();
        }

        /// <summary>Only the shortfall, newest first; the last reservation reached shrinks.</summary>
        private List<string> ReleaseShortfall()
        {
            var released = new List<string>();
            foreach (var (id, reservation) in Reservations.OrderByDescending(r => r.Value.Number).ToList())
            {
                var shortfall = Reserved - (OnHand - SafetyStock);
                if (shortfall <= 0)
                {
                    break;
                }
                if (reservation.Quantity <= shortfall)
                {
                    Reservations.Remove(id);
                }
                else
                {
                    Reservations[id] = (reservation.Quantity - shortfall, reservation.Number);
                }
                released.Add(id);
            }
            return released;
        }
    }
}

/// <summary>One generated sequence of operations.</summary>
public sealed record InventoryScript(IReadOnlyList<InventoryStep> Steps)
{
    public override string ToString() => string.Join("; ", Steps);
}

public abstract record InventoryStep
{
    public sealed record Reserve(int Line, int Quantity, bool Unpaid) : InventoryStep;
    public sealed record Release(int Line) : InventoryStep;
    public sealed record Confirm(int Line) : InventoryStep;
    public sealed record Fulfil(int Operation, int Line, int Quantity) : InventoryStep;
    public sealed record Restock(int Operation, int Quantity) : InventoryStep;
    public sealed record Adjust(int Adjustment, int Delta) : InventoryStep;
    public sealed record Snapshot(int Minute, int Count) : InventoryStep;
    public sealed record SetStock(int OnHand, int SafetyStock) : InventoryStep;
    /// <summary>The previous step once more: it must change nothing.</summary>
    public sealed record Repeat : InventoryStep;
}

public static class InventoryScripts
{
    public static Arbitrary<InventoryScript> Scripts()
    {
        var step = Gen.Frequency(
            (6, from line in Gen.Choose(1, 4)
                from quantity in Gen.Choose(1, 6)
                from unpaid in Gen.Elements(true, false)
                select (InventoryStep)new InventoryStep.Reserve(line, quantity, unpaid)),
            (2, Gen.Choose(1, 4).Select(line => (InventoryStep)new InventoryStep.Release(line))),
            (2, Gen.Choose(1, 4).Select(line => (InventoryStep)new InventoryStep.Confirm(line))),
            (3, from operation in Gen.Choose(1, 4)
                from line in Gen.Choose(1, 5)
                from quantity in Gen.Choose(1, 4)
                select (InventoryStep)new InventoryStep.Fulfil(operation, line, quantity)),
            (1, from operation in Gen.Choose(1, 3)
                from quantity in Gen.Choose(1, 5)
                select (InventoryStep)new InventoryStep.Restock(operation, quantity)),
            (2, from adjustment in Gen.Choose(1, 4)
                from delta in Gen.Choose(-6, 6).Where(d => d != 0)
                select (InventoryStep)new InventoryStep.Adjust(adjustment, delta)),
            (2, from minute in Gen.Choose(0, 6)
                from count in Gen.Choose(0, 15)
                select (InventoryStep)new InventoryStep.Snapshot(minute, count)),
            (2, from onHand in Gen.Choose(0, 15)
                from safetyStock in Gen.Choose(0, 3)
                select (InventoryStep)new InventoryStep.SetStock(onHand, safetyStock)),
            (2, Gen.Constant((InventoryStep)new InventoryStep.Repeat())));
        return Gen.ListOf(step, 20).Select(steps => new InventoryScript(steps.ToList())).ToArbitrary();
    }
}
