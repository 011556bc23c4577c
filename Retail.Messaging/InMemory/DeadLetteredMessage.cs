namespace Retail.Messaging.InMemory;

/// <summary>A message in an entity's dead-letter queue, with why it got there.</summary>
public sealed record DeadLetteredMessage(TransportMessage Message, string Reason, string Description, int DeliveryCount);
