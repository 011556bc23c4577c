@description('PostgreSQL flexible server name.')
param name string

param location string
param tags object

@description('Database that holds grain state, cluster membership and reminders.')
param databaseName string

@description('Delegated subnet for private access.')
param delegatedSubnetId string

@description('Private DNS zone the server registers its name in.')
param privateDnsZoneId string

@description('Entra principals that sign in with tokens: each becomes an Entra administrator (role named principalName).')
param entraAdministrators EntraAdministrator[]

type EntraAdministrator = {
  principalId: string
  principalName: string
  principalType: 'ServicePrincipal' | 'User' | 'Group'
}

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard_B1ms'
    tier: 'Burstable'
  }
  properties: {
    version: '16'
    // Entra ID tokens only: no password exists to leak or rotate.
    authConfig: {
      activeDirectoryAuth: 'Enabled'
      passwordAuth: 'Disabled'
      tenantId: tenant().tenantId
    }
    storage: {
      storageSizeGB: 32
      autoGrow: 'Enabled'
    }
    backup: {
      backupRetentionDays: 7
      geoRedundantBackup: 'Disabled'
    }
    highAvailability: {
      mode: 'Disabled'
    }
    network: {
      delegatedSubnetResourceId: delegatedSubnetId
      privateDnsZoneArmResourceId: privateDnsZoneId
      publicNetworkAccess: 'Disabled'
    }
  }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: server
  name: databaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
}

// The server accepts one administrator change at a time, so they are added one after another.
@batchSize(1)
resource administrators 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2024-08-01' = [
  for administrator in entraAdministrators: {
    parent: server
    name: administrator.principalId
    properties: {
      principalName: administrator.principalName
      principalType: administrator.principalType
      tenantId: tenant().tenantId
    }
    dependsOn: [
      database
    ]
  }
]

output name string = server.name
output host string = server.properties.fullyQualifiedDomainName
output databaseName string = database.name
