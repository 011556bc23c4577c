using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Retail.Api.Problems;
using Retail.Contracts;

namespace Retail.Api.Security;

/// <summary>
/// JWT bearer authentication bound from <c>Authentication:Schemes:Bearer</c> (Entra ID: Authority and ValidAudiences;
/// locally: the SigningKeys that <c>dotnet user-jwts</c> or the AppHost write), a policy per scope, and 401/403 answered
/// as problem+json.
/// </summary>
internal static class RetailAuthentication
{
    public const string SchemeSection = "Authentication:Schemes:Bearer";
    public const string DevelopmentIssuer = "retail-development";
    public const string DevelopmentAudience = "retail-api";

    public static void AddRetailAuthentication(this IHostApplicationBuilder builder)
    {
        if (builder.Environment.IsDevelopment())
        {
            AddDevelopmentSigningKeyWhenNoneConfigured(builder.Configuration);
        }

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            options.MapInboundClaims = false;
            options.Events ??= new JwtBearerEvents();
            options.Events.OnChallenge = WriteChallengeAsync;
        });
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();

        var authorization = builder.Services.AddAuthorizationBuilder();
        foreach (var scope in Scopes.All)
        {
            authorization.AddPolicy(scope, policy => policy.RequireAuthenticatedUser().RequireAssertion(context => Scopes.HasAny(context.User, scope)));
        }
        authorization.AddPolicy(Scopes.OpsOrOrdersRead, policy => policy.RequireAuthenticatedUser()
            .RequireAssertion(context => Scopes.HasAny(context.User, Scopes.Ops, Scopes.OrdersRead)));
    }

    /// <summary>
    /// In Development with neither an authority nor signing keys configured, a signing key is made for this run, so
    /// that the dashboard's development token works right after <c>dotnet run</c>. Never outside Development.
    /// </summary>
    private static void AddDevelopmentSigningKeyWhenNoneConfigured(IConfigurationManager configuration)
    {
        var section = configuration.GetSection(SchemeSection);
        if (!string.IsNullOrEmpty(section["Authority"]) || section.GetSection("SigningKeys").GetChildren().Any())
        {
            return;
        }
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{SchemeSection}:ValidIssuer"] = DevelopmentIssuer,
            [$"{SchemeSection}:ValidAudiences:0"] = DevelopmentAudience,
            [$"{SchemeSection}:SigningKeys:0:Issuer"] = DevelopmentIssuer,
            [$"{SchemeSection}:SigningKeys:0:Value"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        });
    }

    private static async Task WriteChallengeAsync(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var expired = context.AuthenticateFailure is Microsoft.IdentityModel.Tokens.SecurityTokenExpiredException;
        context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null
            ? "Bearer"
            : expired ? "Bearer error=\"invalid_token\", error_description=\"The token expired\"" : "Bearer error=\"invalid_token\"";
        var detail = context.AuthenticateFailure is null
            ? "Send a bearer token in the Authorization header."
            : expired ? "The bearer token expired." : "The bearer token is not valid.";
        await ProblemWriter.WriteAsync(context.HttpContext,
            ProblemWriter.Create(StatusCodes.Status401Unauthorized, ProblemCodes.Unauthorized, "Authentication is required.", detail));
    }

    public static Microsoft.AspNetCore.Mvc.ProblemDetails Forbidden() =>
        ProblemWriter.Create(StatusCodes.Status403Forbidden, ProblemCodes.Forbidden, "The token lacks the scope this operation needs.");

    /// <summary>Writes the 403 body itself (the bearer handler only sets the status code).</summary>
    private sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
    {
        private readonly AuthorizationMiddlewareResultHandler inner = new();

        public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy,
            PolicyAuthorizationResult authorizeResult)
        {
            if (authorizeResult.Forbidden && context.User.Identity?.IsAuthenticated == true)
            {
                await ProblemWriter.WriteAsync(context, Forbidden());
                return;
            }
            await inner.HandleAsync(next, context, policy, authorizeResult);
        }
    }
}
