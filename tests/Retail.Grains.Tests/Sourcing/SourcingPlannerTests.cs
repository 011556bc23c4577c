using Retail.Contracts.Orders;
using Retail.Grains.Sourcing;

namespace Retail.Grains.Tests.Sourcing;

public sealed class SourcingPlannerTests
{
    private static readonly SourcingLocation[] Locations =
    [
        new("store-b", 5),
        new("wh-1", 1),
        new("wh-2", 2),
        new("store-a", 5),
    ];

    [Fact]
    public void Plan_WhenOneLocationFillsEveryLine_UsesTheHighestPriorityOneOnly()
    {
        var request = Request(
            [new("1", "A", 2), new("2", "B", 1)],
            ("A", "wh-1", 1), ("A", "wh-2", 5), ("B", "wh-2", 5), ("A", "store-a", 9), ("B", "store-a", 9));

        var plan = SourcingPlanner.Plan(request);

        Assert.Equal([new("1", "A", "wh-2", 2), new("2", "B", "wh-2", 1)], plan.Allocations);
        Assert.Empty(plan.Backordered);
    }

    [Fact]
    public void Plan_WhenPrioritiesTie_PrefersTheLowerId()
    {
        var request = Request([new("1", "A", 1)], ("A", "store-b", 3), ("A", "store-a", 3));

        var plan = SourcingPlanner.Plan(request);

        Assert.Equal("store-a", Assert.Single(plan.Allocations).LocationId);
    }

    [Fact]
    public void Plan_WhenNoLocationFillsEverything_UsesTheFewestLocations()
    {
        var request = Request(
            [new("1", "A", 1), new("2", "B", 1), new("3", "C", 1)],
            ("A", "wh-1", 5), ("B", "wh-2", 5), ("C", "wh-2", 5), ("A", "store-a", 5), ("C", "store-b", 5));

        var plan = SourcingPlanner.Plan(request);

        Assert.Equal(2, plan.Allocations.Select(a => a.LocationId).Distinct().Count());
        Assert.Equal("wh-2", plan.Allocations.Single(a => a.LineId == "2").LocationId);
        Assert.Equal("wh-2", plan.Allocations.Single(a => a.LineId == "3").LocationId);
        Assert.Equal("wh-1", plan.Allocations.Single(a => a.LineId == "1").LocationId);
        Assert.Empty(plan.Backordered);
    }

    [Fact]
    public void Plan_SplitsALineOnlyWhenNoSingleLocationHasIt()
    {
        var request = Request(
            [new("1", "A", 5), new("2", "B", 2)],
            ("A", "wh-1", 3), ("A", "wh-2", 3), ("B", "wh-1", 2), ("A", "store-a", 1));

        var plan = SourcingPlanner.Plan(request);

        Assert.Equal(new PlannedAllocation("2", "B", "wh-1", 2), Assert.Single(plan.Allocations, a => a.LineId == "2"));
        var line1 = plan.Allocations.Where(a => a.LineId == "1").ToList();
        Assert.Equal(5, line1.Sum(a => a.Quantity));
        Assert.Equal(["wh-1", "wh-2"], line1.Select(a => a.LocationId).Order(StringComparer.Ordinal));
        Assert.Empty(plan.Backordered);
    }

    [Fact]
    public void Plan_DoesNotSplitALineThatOneLocationHas()
    {
        var request = Request([new("1", "A", 4)], ("A", "wh-1", 2), ("A", "wh-2", 2), ("A", "store-a", 4));

        var plan = SourcingPlanner.Plan(request);

        Assert.Equal(new PlannedAllocation("1", "A", "store-a", 4), Assert.Single(plan.Allocations));
    }

    [Fact]
    public void Plan_Pickup_TakesOnlyFromThePickupLocationAndBackordersTheRest()
    {
        var request = Request([new("1", "A", 3), new("2", "B", 1)], ("A", "wh-1", 50), ("B", "wh-1", 50), ("A", "store-a", 2)) with
        {
            Method = FulfillmentMethods.Pickup,
            PickupLocationId = "store-a",
        };

        var plan = SourcingPlanner.Plan(request);

        Assert.Equal([new("1", "A", "store-a", 2)], plan.Allocations);
        Assert.Equal([new LineQuantity { LineId = "1", Quantity = 1 }, new LineQuantity { LineId = "2", Quantity = 1 }], plan.Backordered);
    }

    [Fact]
    public void Plan_WhatNoLocationHas_IsBackordered()
    {
        var request = Request([new("1", "A", 10), new("2", "Z", 1)], ("A", "wh-1", 4), ("A", "store-b", 3));

        var plan = SourcingPlanner.Plan(request);

        Assert.Equal(7, plan.Allocations.Where(a => a.LineId == "1").Sum(a => a.Quantity));
        Assert.Equal([new LineQuantity { LineId = "1", Quantity = 3 }, new LineQuantity { LineId = "2", Quantity = 1 }], plan.Backordered);
    }

    [Fact]
    public void Plan_LinesOfTheSameSku_ShareTheLocationsStock()
    {
        var request = Request([new("1", "A", 3), new("2", "A", 3)], ("A", "wh-1", 4), ("A", "wh-2", 3));

        var plan = SourcingPlanner.Plan(request);

        Assert.Equal(6, plan.Allocations.Sum(a => a.Quantity));
        Assert.True(plan.Allocations.Where(a => a.LocationId == "wh-1").Sum(a => a.Quantity) <= 4);
        Assert.True(plan.Allocations.Where(a => a.LocationId == "wh-2").Sum(a => a.Quantity) <= 3);
        Assert.All(plan.Allocations.GroupBy(a => a.LineId), g => Assert.Single(g));
    }

    [Fact]
    public void Plan_UsesUnregisteredLocationsAfterRegisteredOnes()
    {
        var request = Request([new("1", "A", 2)], ("A", "unlisted", 5), ("A", "wh-2", 1));

        var plan = SourcingPlanner.Plan(request);

        Assert.Equal(new PlannedAllocation("1", "A", "unlisted", 2), Assert.Single(plan.Allocations));
    }

    private static SourcingRequest Request(SourcingLine[] lines, params (string Sku, string LocationId, int Units)[] stock)
    {
        var available = new AvailabilityMap();
        foreach (var (sku, location, units) in stock)
        {
            available.Set(sku, location, units);
        }
        return new SourcingRequest { Lines = lines, Locations = Locations, Available = available };
    }
}
