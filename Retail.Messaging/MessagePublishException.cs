namespace Retail.Messaging;

/// <summary>A message was not published: the broker refused it, or it could not be reached in time. Nothing was sent, or the send may be retried with the same message id.</summary>
public sealed class MessagePublishException : Exception
{
    public MessagePublishException()
    {
    }

    public MessagePublishException(string message) : base(message)
    {
    }

    public MessagePublishException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
