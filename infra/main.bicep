targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names the resource group and seeds every resource name.')
param environmentName string

@minLength(1)
@description('Azure region of every resource.')
param location string

@description('Object id of the person or pipeline running azd; it may set and rotate webhook secrets in Key Vault.')
param principalId string = ''

@description('Type of principalId.')
param principalType 'User' | 'ServicePrincipal' | 'Group' = 'User'

@description('Enable SAS on the Service Bus namespace for an ERP that cannot authenticate with Entra ID.')
param erpUsesSas bool = false

@description('Entra principal of the ERP, granted send on erp-inbound and receive on erp-outbound; empty for none.')
param erpPrincipalId string = ''

@description('JWT authority for the REST API; empty means this tenant\'s Entra ID (v2.0 endpoint).')
param apiAuthAuthority string = ''

@description('Audience (application id URI) that API tokens must carry.')
param apiAuthAudience string = 'api://retail-api'

@minValue(2)
@description('Number of silo replicas; two at least, so that the cluster survives the loss of one.')
param siloReplicas int = 2

param siloExists bool = false
param apiExists bool = false
param functionsExists bool = false

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

var siloIdentityName = '${abbrs.managedIdentityUserAssignedIdentities}silo-${resourceToken}'
var apiIdentityName = '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
var functionsIdentityName = '${abbrs.managedIdentityUserAssignedIdentities}functions-${resourceToken}'

var databaseName = 'retail'
var siloPort = 11111
var gatewayPort = 30000
var httpPort = 8080
// The Functions host in the Functions base image listens on port 80 and hands each invocation to the .NET worker.
var functionsHttpPort = 80
var authority = empty(apiAuthAuthority)
  ? '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
  : apiAuthAuthority

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module siloIdentity 'modules/identity.bicep' = {
  name: 'silo-identity'
  scope: rg
  params: {
    name: siloIdentityName
    location: location
    tags: tags
  }
}

module apiIdentity 'modules/identity.bicep' = {
  name: 'api-identity'
  scope: rg
  params: {
    name: apiIdentityName
    location: location
    tags: tags
  }
}

module functionsIdentity 'modules/identity.bicep' = {
  name: 'functions-identity'
  scope: rg
  params: {
    name: functionsIdentityName
    location: location
    tags: tags
  }
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  scope: rg
  params: {
    name: '${abbrs.containerRegistryRegistries}${resourceToken}'
    location: location
    tags: tags
    pullIdentityNames: [
      siloIdentityName
      apiIdentityName
      functionsIdentityName
    ]
  }
  dependsOn: [
    siloIdentity
    apiIdentity
    functionsIdentity
  ]
}

module network 'modules/network.bicep' = {
  name: 'network'
  scope: rg
  params: {
    name: '${abbrs.networkVirtualNetworks}${resourceToken}'
    postgresServerName: '${abbrs.dBforPostgreSQLServers}${resourceToken}'
    location: location
    tags: tags
  }
}

module containerAppsEnvironment 'modules/container-apps-environment.bicep' = {
  name: 'container-apps-environment'
  scope: rg
  params: {
    name: '${abbrs.appManagedEnvironments}${resourceToken}'
    location: location
    tags: tags
    infrastructureSubnetId: network.outputs.appsSubnetId
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module postgres 'modules/postgres.bicep' = {
  name: 'postgres'
  scope: rg
  params: {
    name: '${abbrs.dBforPostgreSQLServers}${resourceToken}'
    location: location
    tags: tags
    databaseName: databaseName
    delegatedSubnetId: network.outputs.postgresSubnetId
    privateDnsZoneId: network.outputs.postgresDnsZoneId
    entraAdministrators: [
      {
        principalId: siloIdentity.outputs.principalId
        principalName: siloIdentity.outputs.name
        principalType: 'ServicePrincipal'
      }
      {
        principalId: apiIdentity.outputs.principalId
        principalName: apiIdentity.outputs.name
        principalType: 'ServicePrincipal'
      }
      {
        principalId: functionsIdentity.outputs.principalId
        principalName: functionsIdentity.outputs.name
        principalType: 'ServicePrincipal'
      }
    ]
  }
}

module serviceBus 'modules/service-bus.bicep' = {
  name: 'service-bus'
  scope: rg
  params: {
    name: '${abbrs.serviceBusNamespaces}${resourceToken}'
    location: location
    tags: tags
    erpUsesSas: erpUsesSas
    siloIdentityName: siloIdentityName
    functionsIdentityName: functionsIdentityName
    erpPrincipalId: erpPrincipalId
  }
  dependsOn: [
    siloIdentity
    functionsIdentity
  ]
}

module eventHubs 'modules/event-hubs.bicep' = {
  name: 'event-hubs'
  scope: rg
  params: {
    name: '${abbrs.eventHubNamespaces}${resourceToken}'
    location: location
    tags: tags
    siloIdentityName: siloIdentityName
  }
  dependsOn: [
    siloIdentity
  ]
}

module keyVault 'modules/key-vault.bicep' = {
  name: 'key-vault'
  scope: rg
  params: {
    name: '${abbrs.keyVaultVaults}${resourceToken}'
    location: location
    tags: tags
    functionsIdentityName: functionsIdentityName
    principalId: principalId
    principalType: principalType
  }
  dependsOn: [
    functionsIdentity
  ]
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    functionsIdentityName: functionsIdentityName
  }
  dependsOn: [
    functionsIdentity
  ]
}

// Settings every Orleans process shares: the silos and the two clients find each other in PostgreSQL.
var orleansSettings = [
  { name: 'Orleans__ClusterId', value: 'retail' }
  { name: 'Orleans__ServiceId', value: 'retail' }
  { name: 'Orleans__Clustering__ProviderType', value: 'RetailPostgres' }
  { name: 'Postgres__Host', value: postgres.outputs.host }
  { name: 'Postgres__Database', value: postgres.outputs.databaseName }
  { name: 'Postgres__UseEntraId', value: 'true' }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: monitoring.outputs.applicationInsightsConnectionString }
]

var httpProbes = [
  {
    type: 'Liveness'
    httpGet: { path: '/alive', port: httpPort }
    initialDelaySeconds: 10
    periodSeconds: 10
  }
  {
    type: 'Readiness'
    httpGet: { path: '/health', port: httpPort }
    initialDelaySeconds: 5
    periodSeconds: 10
  }
]

module silo 'modules/container-app.bicep' = {
  name: 'silo'
  scope: rg
  params: {
    name: '${abbrs.appContainerApps}silo-${resourceToken}'
    serviceName: 'silo'
    location: location
    tags: tags
    environmentId: containerAppsEnvironment.outputs.id
    identityId: siloIdentity.outputs.id
    registryServer: registry.outputs.loginServer
    exists: siloExists
    cpu: '0.5'
    memory: '1Gi'
    // Orleans:Endpoints:AdvertisedIPAddress is left unset: each replica advertises its own address in the environment.
    sharedEnv: orleansSettings
    env: [
      { name: 'Orleans__GrainStorage__orders__ProviderType', value: 'RetailPostgres' }
      { name: 'Orleans__GrainStorage__inventory__ProviderType', value: 'RetailPostgres' }
      { name: 'Orleans__GrainStorage__operations__ProviderType', value: 'RetailPostgres' }
      { name: 'Orleans__Reminders__ProviderType', value: 'RetailPostgres' }
      { name: 'Orleans__Endpoints__SiloPort', value: string(siloPort) }
      { name: 'Orleans__Endpoints__GatewayPort', value: string(gatewayPort) }
      { name: 'Postgres__Username', value: siloIdentity.outputs.name }
      { name: 'AZURE_CLIENT_ID', value: siloIdentity.outputs.clientId }
      { name: 'Messaging__Transport', value: 'Azure' }
      { name: 'Messaging__ServiceBus__FullyQualifiedNamespace', value: serviceBus.outputs.fullyQualifiedNamespace }
      { name: 'Messaging__EventHubs__FullyQualifiedNamespace', value: eventHubs.outputs.fullyQualifiedNamespace }
      { name: 'Messaging__EventHubs__EventHubName', value: eventHubs.outputs.eventHubName }
    ]
    // Internal only: silo-to-silo (11111) and client-to-gateway (30000) traffic stays in the environment.
    ingress: {
      external: false
      transport: 'tcp'
      targetPort: siloPort
      exposedPort: siloPort
      additionalPortMappings: [
        {
          external: false
          targetPort: gatewayPort
          exposedPort: gatewayPort
        }
      ]
    }
    // A fixed cluster size: scaling in would deactivate grains for no gain in a cluster this small.
    scale: {
      minReplicas: siloReplicas
      maxReplicas: siloReplicas
    }
    probes: [
      {
        type: 'Liveness'
        tcpSocket: { port: siloPort }
        initialDelaySeconds: 15
        periodSeconds: 10
      }
      {
        type: 'Readiness'
        tcpSocket: { port: gatewayPort }
        initialDelaySeconds: 10
        periodSeconds: 10
      }
    ]
  }
}

module api 'modules/container-app.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: '${abbrs.appContainerApps}api-${resourceToken}'
    serviceName: 'api'
    location: location
    tags: tags
    environmentId: containerAppsEnvironment.outputs.id
    identityId: apiIdentity.outputs.id
    registryServer: registry.outputs.loginServer
    exists: apiExists
    cpu: '0.5'
    memory: '1Gi'
    sharedEnv: orleansSettings
    env: [
      { name: 'Postgres__Username', value: apiIdentity.outputs.name }
      { name: 'AZURE_CLIENT_ID', value: apiIdentity.outputs.clientId }
      { name: 'Authentication__Schemes__Bearer__Authority', value: authority }
      { name: 'Authentication__Schemes__Bearer__ValidAudiences__0', value: apiAuthAudience }
    ]
    ingress: {
      external: true
      transport: 'auto'
      targetPort: httpPort
      allowInsecure: false
    }
    scale: {
      minReplicas: 1
      maxReplicas: 5
      rules: [
        {
          name: 'http'
          http: { metadata: { concurrentRequests: '100' } }
        }
      ]
    }
    probes: httpProbes
  }
}

module functions 'modules/container-app.bicep' = {
  name: 'functions'
  scope: rg
  params: {
    name: '${abbrs.appContainerApps}functions-${resourceToken}'
    serviceName: 'functions'
    // Azure Functions on Container Apps: the Functions host in the image runs the isolated worker (Retail.Functions).
    kind: 'functionapp'
    location: location
    tags: tags
    environmentId: containerAppsEnvironment.outputs.id
    identityId: functionsIdentity.outputs.id
    registryServer: registry.outputs.loginServer
    exists: functionsExists
    cpu: '0.5'
    memory: '1Gi'
    sharedEnv: orleansSettings
    env: [
      { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'dotnet-isolated' }
      // The host's storage through the bridge's identity; the account accepts no shared key.
      { name: 'AzureWebJobsStorage__accountName', value: storage.outputs.name }
      { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
      { name: 'AzureWebJobsStorage__clientId', value: functionsIdentity.outputs.clientId }
      { name: 'Postgres__Username', value: functionsIdentity.outputs.name }
      { name: 'AZURE_CLIENT_ID', value: functionsIdentity.outputs.clientId }
      { name: 'Messaging__Transport', value: 'Azure' }
      { name: 'Messaging__ServiceBus__FullyQualifiedNamespace', value: serviceBus.outputs.fullyQualifiedNamespace }
      { name: 'KeyVault__Uri', value: keyVault.outputs.uri }
    ]
    // Webhooks arrive from SaaS platforms on the internet.
    ingress: {
      external: true
      transport: 'auto'
      targetPort: functionsHttpPort
      allowInsecure: false
    }
    // One replica at least, always: the ERP consumer is a hosted session processor inside the worker, not a trigger
    // the platform could wake it for. KEDA adds replicas for the ERP backlog and for webhook traffic.
    scale: {
      minReplicas: 1
      maxReplicas: 10
      rules: [
        {
          name: 'erp-inbound-backlog'
          custom: {
            type: 'azure-servicebus'
            metadata: {
              namespace: serviceBus.outputs.name
              queueName: serviceBus.outputs.inboundQueueName
              messageCount: '20'
            }
            identity: functionsIdentity.outputs.id
          }
        }
        {
          name: 'http'
          http: { metadata: { concurrentRequests: '100' } }
        }
      ]
    }
    // The Functions host serves only the functions' routes, so the probes check that it listens.
    probes: [
      {
        type: 'Liveness'
        tcpSocket: { port: functionsHttpPort }
        initialDelaySeconds: 15
        periodSeconds: 10
      }
      {
        type: 'Readiness'
        tcpSocket: { port: functionsHttpPort }
        initialDelaySeconds: 10
        periodSeconds: 10
      }
    ]
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name
output AZURE_CONTAINER_APPS_ENVIRONMENT_NAME string = containerAppsEnvironment.outputs.name
output AZURE_CONTAINER_APPS_ENVIRONMENT_ID string = containerAppsEnvironment.outputs.id
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_POSTGRES_HOST string = postgres.outputs.host
output AZURE_POSTGRES_DATABASE string = postgres.outputs.databaseName
output AZURE_SERVICEBUS_NAMESPACE string = serviceBus.outputs.name
output AZURE_SERVICEBUS_FULLY_QUALIFIED_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output AZURE_EVENTHUBS_FULLY_QUALIFIED_NAMESPACE string = eventHubs.outputs.fullyQualifiedNamespace
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.applicationInsightsConnectionString
output SERVICE_SILO_NAME string = silo.outputs.name
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = 'https://${api.outputs.fqdn}'
output SERVICE_FUNCTIONS_NAME string = functions.outputs.name
output SERVICE_FUNCTIONS_URI string = 'https://${functions.outputs.fqdn}'
