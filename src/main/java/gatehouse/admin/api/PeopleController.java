package gatehouse.admin.api;

import java.time.Instant;
import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import gatehouse.identity.Directory;
import gatehouse.identity.Team;
import gatehouse.identity.User;

/** Users, teams, team members, and the teams that hold each gateway. */
@RestController
@RequestMapping("/api/v1")
class PeopleController {
    private final Directory directory;
    private final AdminAccess access;

    PeopleController(Directory directory, AdminAccess access) {
        this.directory = directory;
        this.access = access;
    }

    record UserInput(String username, String password, String email) {
    }

    record UserPatch(String email, Boolean enabled, String password) {
    }

    record UserView(String id, String username, String email, boolean enabled, boolean hasPassword, boolean locked,
                    Instant lockedUntil, String source, List<String> teamIds, Instant createdAt) {
    }

    private UserView view(User u) {
        Instant now = Instant.now();
        List<String> teams = directory.teams().stream().filter(t -> t.memberIds().contains(u.id())).map(Team::id).toList();
        return new UserView(u.id(), u.username(), u.email(), u.enabled(), u.hasPassword(), u.lockedAt(now),
                u.lockedAt(now) ? u.lockedUntil() : null, u.source(), teams, u.createdAt());
    }

    @PostMapping("/users")
    @ResponseStatus(HttpStatus.CREATED)
    UserView createUser(@RequestBody UserInput in) {
        return view(directory.createUser(in.username(), in.password(), in.email()));
    }

    @GetMapping("/users")
    List<UserView> users() {
        return directory.users().stream().map(this::view).toList();
    }

    @GetMapping("/users/{id}")
    UserView user(@PathVariable String id) {
        return view(directory.user(id));
    }

    /** {@code enabled}, {@code email}, or a new {@code password} (which also lifts a lockout). */
    @PatchMapping("/users/{id}")
    UserView patchUser(@PathVariable String id, @RequestBody UserPatch in) {
        return view(directory.updateUser(id, in.email(), in.enabled(), in.password()));
    }

    @DeleteMapping("/users/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteUser(@PathVariable String id) {
        directory.deleteUser(id);
    }

    record TeamInput(String name) {
    }

    @PostMapping("/teams")
    @ResponseStatus(HttpStatus.CREATED)
    Team createTeam(@RequestBody TeamInput in) {
        return directory.createTeam(in.name());
    }

    /** Only the teams the caller may manage (a team lead sees their own). */
    @GetMapping("/teams")
    List<Team> teams() {
        AdminCaller caller = AdminCaller.current();
        return directory.teams().stream().filter(t -> access.mayManageTeam(caller, t.id())).toList();
    }

    @GetMapping("/teams/{id}")
    Team team(@PathVariable String id) {
        return directory.team(id);
    }

    @DeleteMapping("/teams/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteTeam(@PathVariable String id) {
        directory.deleteTeam(id);
    }

    @PutMapping("/teams/{tid}/members/{uid}")
    Team addMember(@PathVariable String tid, @PathVariable String uid) {
        return directory.addMember(tid, uid);
    }

    @DeleteMapping("/teams/{tid}/members/{uid}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void removeMember(@PathVariable String tid, @PathVariable String uid) {
        directory.removeMember(tid, uid);
    }

    /**
     * What this team's members see of the gateway: {@code tools} and {@code prompts} (exposed names),
     * {@code resources} (URIs or URI templates); absent or null = every one of that kind.
     */
    record HoldingInput(List<String> tools, List<String> prompts, List<String> resources) {
    }

    @PutMapping("/gateways/{gid}/teams/{tid}")
    Team grantGateway(@PathVariable String gid, @PathVariable String tid, @RequestBody(required = false) HoldingInput in) {
        return in == null ? directory.grantGateway(gid, tid, null, null, null)
                : directory.grantGateway(gid, tid, in.tools(), in.prompts(), in.resources());
    }

    @DeleteMapping("/gateways/{gid}/teams/{tid}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revokeGateway(@PathVariable String gid, @PathVariable String tid) {
        directory.revokeGateway(gid, tid);
    }

    @GetMapping("/gateways/{gid}/teams")
    List<Team> gatewayTeams(@PathVariable String gid) {
        return directory.teamsOfGateway(gid);
    }
}
