package dev.flowgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.server.api.RouteTable.Access;
import dev.flowgate.server.api.RouteTable.Match;
import dev.flowgate.server.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTableTest {
    private static final RouteTable.Handler OK = (request, path) -> HttpResponse.empty(200);
    private final RouteTable routes = new RouteTable()
            .post("/payments", Access.ANYONE, OK)
            .get("/payments", Access.ANYONE, OK)
            .get("/payments/{id}", Access.ANYONE, OK)
            .post("/payments/{id}/retry", Access.ADMIN, OK);

    @Test
    void anExactPathFindsItsRouteByMethod() {
        Match match = routes.match("POST", "/payments");
        assertThat(match).isInstanceOf(Match.Found.class);
        assertThat(((Match.Found) match).route().method()).isEqualTo("POST");
    }

    @Test
    void aTemplateCapturesItsSegmentsByName() {
        Match match = routes.match("POST", "/payments/abc/retry");
        assertThat(match).isInstanceOf(Match.Found.class);
        assertThat(((Match.Found) match).path()).isEqualTo(Map.of("id", "abc"));
        assertThat(((Match.Found) match).route().access()).isEqualTo(Access.ADMIN);
    }

    @Test
    void aKnownPathWithAnotherMethodNamesTheMethodsItHas() {
        assertThat(routes.match("DELETE", "/payments")).isEqualTo(new Match.WrongMethod("GET, POST"));
        assertThat(routes.match("GET", "/payments/abc/retry")).isEqualTo(new Match.WrongMethod("POST"));
    }

    @Test
    void pathsOfNoRouteAreNotFound() {
        for (String path : new String[] {"/nothing", "/payments/a/b", "",
                "payments", "/payments/abc/retry/more", "/PAYMENTS"}) {
            assertThat(routes.match("GET", path)).as(path).isInstanceOf(Match.NotFound.class);
        }
    }

    @Test
    void anEmptySegmentIsCapturedSoTheHandlerCanSayWhatIsWrong() {
        assertThat(routes.match("POST", "/payments//retry")).isEqualTo(
                new Match.Found(((Match.Found) routes.match("POST", "/payments/x/retry")).route(), Map.of("id", "")));
    }

    @Test
    void aRouteMustStartWithASlash() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> routes.get("payments", Access.ANYONE, OK))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
