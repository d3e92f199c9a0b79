// Organisation (组织): sites, departments, teams (班组), posts (岗位), people and their
// certifications. Validates input, checks permissions, journals every change.
#pragma once

#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "kernel/org/principal.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::org {

struct PersonDetail {
  store::Person person;
  std::vector<store::Certification> certifications;
};

class OrgService {
 public:
  OrgService(store::Store& store, store::Writer& writer, const RoleCatalogue& roles)
      : store_(store), writer_(writer), roles_(roles) {}

  Result<store::Site> CreateSite(const Principal& who, store::Site site);
  Result<store::Site> GetSite(const Principal& who, Id id);
  Result<std::vector<store::Site>> ListSites(const Principal& who, store::PageRequest page);

  Result<store::Department> CreateDepartment(const Principal& who, store::Department department);
  Result<std::vector<store::Department>> ListDepartments(const Principal& who, Id site_id,
                                                         store::PageRequest page);
  Result<store::Team> CreateTeam(const Principal& who, store::Team team);
  Result<std::vector<store::Team>> ListTeams(const Principal& who, Id site_id,
                                             store::PageRequest page);
  Result<store::Post> CreatePost(const Principal& who, store::Post post);
  Result<std::vector<store::Post>> ListPosts(const Principal& who, Id site_id,
                                             store::PageRequest page);

  Result<store::Person> CreatePerson(const Principal& who, store::Person person);
  Result<PersonDetail> GetPerson(const Principal& who, Id id);
  // Records a person's birth date and education (R20 §二1); either may be "" (not recorded).
  // Journaled as org.person.profile_changed with both values.
  Result<store::Person> SetPersonProfile(const Principal& who, Id id, std::string birth_date,
                                         std::string education);
  Result<std::vector<store::Person>> ListPeople(const Principal& who, Id site_id,
                                                store::PageRequest page);
  Result<store::Certification> AddCertification(const Principal& who, store::Certification cert);

  // The journal, for auditors.
  Result<std::vector<store::JournalRecord>> ReadJournal(const Principal& who,
                                                        std::int64_t after_seq, int limit);

 private:
  Result<void> Require(const Principal& who, std::string_view permission, Scope scope);
  // Checks that department/team ids (when non-zero) exist and belong to `site_id`.
  Result<void> CheckPlacement(store::UnitOfWork& unit, Id site_id, Id department_id, Id team_id);
  // birth_date empty or YYYY-MM-DD from 1900 on and not after `now`'s UTC day + 1; education at
  // most 20 characters.
  static Result<void> CheckProfile(std::string_view birth_date, std::string_view education,
                                   TimePoint now);

  store::Store& store_;
  store::Writer& writer_;
  const RoleCatalogue& roles_;
};

}  // namespace zhidu::org
