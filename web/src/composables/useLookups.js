import { ref, computed } from 'vue'
import { api, listAll } from '../api/index.js'

// Small id → name maps for showing names instead of ids (sites, departments, teams), bounded loads.
export function useLookups() {
  const sites = ref([])
  const departments = ref([])
  const teams = ref([])
  const byId = (list) => computed(() => Object.fromEntries(list.value.map((x) => [String(x.id), x.name])))
  const siteName = byId(sites)
  const departmentName = byId(departments)
  const teamName = byId(teams)
  async function loadSites() {
    sites.value = await listAll(api.listSites).catch(() => [])
  }
  async function loadDepartments(siteId) {
    departments.value = await listAll(api.listDepartments, siteId ? { site_id: siteId } : {}).catch(() => [])
  }
  async function loadTeams(siteId) {
    teams.value = await listAll(api.listTeams, siteId ? { site_id: siteId } : {}).catch(() => [])
  }
  const name = (map, id) => (id === undefined || id === null || id === '' ? '' : map.value[String(id)] || `#${id}`)
  return { sites, departments, teams, siteName, departmentName, teamName, loadSites, loadDepartments, loadTeams, name }
}
