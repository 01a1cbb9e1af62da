/** RUFUS Cloud's production API, including the version: the default for the client, the settings and the wizard. */
export const PRODUCTION_API_URL = 'https://api.runonrufus.com/v0'
