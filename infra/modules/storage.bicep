@description('Storage account name (3-24 lowercase letters and digits).')
param name string

param location string
param tags object

@description('Name of the bridge (Retail.Functions) managed identity, in this resource group.')
param functionsIdentityName string

resource functionsIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: functionsIdentityName
}

var blobDataOwnerRoleId = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b')

// The Functions host's own storage (AzureWebJobsStorage): coordination blobs and its key store. Reached with the
// bridge's identity only: shared keys are disabled, so no connection string with a key exists.
resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
  }
}

// Storage Blob Data Owner: what the Functions host needs with no trigger extension that uses host storage (HTTP only):
// it reads and writes blobs and creates its containers.
resource functionsOwnsHostBlobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, functionsIdentity.id, blobDataOwnerRoleId)
  scope: account
  properties: {
    roleDefinitionId: blobDataOwnerRoleId
    principalId: functionsIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

output name string = account.name
